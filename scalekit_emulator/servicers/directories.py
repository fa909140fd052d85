"""DirectoryService over the directories backend."""

from __future__ import annotations

import grpc
from google.protobuf import empty_pb2
from scalekit.v1.directories import directories_pb2 as dir_pb
from scalekit.v1.directories import directories_pb2_grpc as dir_grpc

from ..backends.directories import Directories
from . import messages as m


class DirectoryServicer(dir_grpc.DirectoryServiceServicer):
    def __init__(self, directories: Directories, env_url: str) -> None:
        self.directories = directories
        self.env_url = env_url

    def ListDirectories(
        self, request: dir_pb.ListDirectoriesRequest, context: grpc.ServicerContext
    ) -> dir_pb.ListDirectoriesResponse:
        found = self.directories.of_organization(request.organization_id)
        return dir_pb.ListDirectoriesResponse(directories=[m.directory(d, self.env_url) for d in found])

    def GetDirectory(
        self, request: dir_pb.GetDirectoryRequest, context: grpc.ServicerContext
    ) -> dir_pb.GetDirectoryResponse:
        found = self.directories.get(request.organization_id, request.id)
        return dir_pb.GetDirectoryResponse(directory=m.directory(found, self.env_url))

    def CreateDirectory(
        self, request: dir_pb.CreateDirectoryRequest, context: grpc.ServicerContext
    ) -> dir_pb.CreateDirectoryResponse:
        new = request.directory
        created = self.directories.create(
            request.organization_id,
            m.enum_name(dir_pb.DirectoryType, new.directory_type, "directory.directory_type"),
            m.optional_enum(dir_pb.DirectoryProvider, new.directory_provider, "directory.directory_provider")
            or "DIRECTORY_PROVIDER_UNSPECIFIED",
        )
        return dir_pb.CreateDirectoryResponse(directory=m.directory(created, self.env_url))

    def UpdateDirectory(
        self, request: dir_pb.UpdateDirectoryRequest, context: grpc.ServicerContext
    ) -> dir_pb.UpdateDirectoryResponse:
        change = request.directory
        updated = self.directories.update(
            request.organization_id,
            request.id,
            name=change.name or None,
            provider=m.optional_enum(
                dir_pb.DirectoryProvider, change.directory_provider, "directory.directory_provider"
            ),
            status=m.optional_enum(dir_pb.DirectoryStatus, change.status, "directory.status"),
        )
        return dir_pb.UpdateDirectoryResponse(directory=m.directory(updated, self.env_url))

    def DeleteDirectory(
        self, request: dir_pb.DeleteDirectoryRequest, context: grpc.ServicerContext
    ) -> empty_pb2.Empty:
        self.directories.delete(request.organization_id, request.id)
        return empty_pb2.Empty()

    def EnableDirectory(
        self, request: dir_pb.ToggleDirectoryRequest, context: grpc.ServicerContext
    ) -> dir_pb.ToggleDirectoryResponse:
        found = self.directories.set_enabled(request.organization_id, request.id, True)
        return dir_pb.ToggleDirectoryResponse(enabled=found.enabled)

    def DisableDirectory(
        self, request: dir_pb.ToggleDirectoryRequest, context: grpc.ServicerContext
    ) -> dir_pb.ToggleDirectoryResponse:
        found = self.directories.set_enabled(request.organization_id, request.id, False)
        return dir_pb.ToggleDirectoryResponse(enabled=found.enabled)

    def ListDirectoryUsers(
        self, request: dir_pb.ListDirectoryUsersRequest, context: grpc.ServicerContext
    ) -> dir_pb.ListDirectoryUsersResponse:
        page = self.directories.users(
            request.organization_id,
            request.directory_id,
            page_size=request.page_size,
            page_token=request.page_token,
            group_id=request.directory_group_id if request.HasField("directory_group_id") else None,
            updated_after=m.time_of(request, "updated_after"),
        )
        groups = self.directories.group_names(request.organization_id, request.directory_id)
        detail = request.HasField("include_detail") and request.include_detail
        return dir_pb.ListDirectoryUsersResponse(
            users=[m.directory_user(u, groups, detail) for u in page.items],
            total_size=page.total_size,
            next_page_token=page.next_page_token,
            prev_page_token=page.prev_page_token,
        )

    def ListDirectoryGroups(
        self, request: dir_pb.ListDirectoryGroupsRequest, context: grpc.ServicerContext
    ) -> dir_pb.ListDirectoryGroupsResponse:
        page = self.directories.groups(
            request.organization_id,
            request.directory_id,
            page_size=request.page_size,
            page_token=request.page_token,
            updated_after=m.time_of(request, "updated_after"),
        )
        detail = request.HasField("include_detail") and request.include_detail
        return dir_pb.ListDirectoryGroupsResponse(
            groups=[m.directory_group(g, detail) for g in page.items],
            total_size=page.total_size,
            next_page_token=page.next_page_token,
            prev_page_token=page.prev_page_token,
        )
