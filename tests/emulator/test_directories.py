"""DirectoryService: directories, and the users and groups they synced."""

from __future__ import annotations

import grpc
from scalekit import ScalekitClient
from scalekit.v1.directories import directories_pb2 as dir_pb

from scalekit_emulator import Emulator

from .conftest import refusal


def _people(client: ScalekitClient, method: str, **fields):
    # SDK 2.21's list_directory_users/_groups fail on any non-empty page (they append to a type
    # stub that has no fields), so these go through the SDK's stub and grpc_exec instead.
    request_type = (
        dir_pb.ListDirectoryUsersRequest
        if method == "ListDirectoryUsers"
        else dir_pb.ListDirectoryGroupsRequest
    )
    stub = getattr(client.directory.directory_service, method)
    return client.core_client.grpc_exec(stub.with_call, request_type(**fields))[0]


def test_directories_users_and_groups_page_through(emulator: Emulator, client: ScalekitClient) -> None:
    directory = max(emulator.backends.env.directories.values(), key=lambda d: d.total_users)
    org = directory.organization_id
    listed = client.directory.list_directories(org)[0].directories
    assert [d.id for d in listed] == [directory.id]
    got = client.directory.get_directory(org, directory.id)[0].directory
    assert got.total_users == directory.total_users and got.directory_endpoint.endswith("/scim/v2")
    ids = {"organization_id": org, "directory_id": directory.id}
    first = _people(client, "ListDirectoryUsers", **ids, page_size=30)
    assert first.total_size == directory.total_users and len(first.users) == min(30, directory.total_users)
    second = _people(client, "ListDirectoryUsers", **ids, page_size=30, page_token=first.next_page_token)
    assert {u.id for u in first.users}.isdisjoint({u.id for u in second.users})
    assert first.users[0].email.endswith("." + first.users[0].email.rsplit(".", 1)[-1])
    groups = _people(client, "ListDirectoryGroups", **ids, page_size=30)
    assert groups.total_size == directory.total_groups
    group = groups.groups[0]
    members = _people(client, "ListDirectoryUsers", **ids, directory_group_id=group.id, page_size=30)
    assert members.total_size == group.total_users
    assert all(group.id in {g.id for g in user.groups} for user in members.users)
    code, message = refusal(lambda: _people(client, "ListDirectoryUsers", **ids, page_size=31))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "page_size" in message


def test_a_directory_from_creation_to_deletion(client: ScalekitClient, new_org: str) -> None:
    created = client.directory.create_directory(
        new_org,
        dir_pb.CreateDirectory(
            directory_type=dir_pb.DirectoryType.Value("SCIM"),
            directory_provider=dir_pb.DirectoryProvider.Value("OKTA"),
        ),
    )[0].directory
    # Enabled on create, as the vendor's test_create_directory (run live) expects.
    assert created.enabled and created.status == "COMPLETED"
    assert client.directory.disable_directory(new_org, created.id)[0].enabled is False
    assert client.directory.enable_directory(new_org, created.id)[0].enabled is True
    assert client.directory.get_directory(new_org, created.id)[0].directory.status == "COMPLETED"
    renamed = client.core_client.grpc_exec(
        client.directory.directory_service.UpdateDirectory.with_call,
        dir_pb.UpdateDirectoryRequest(
            id=created.id, organization_id=new_org, directory=dir_pb.UpdateDirectory(name="Okta (prod)")
        ),
    )[0].directory
    assert renamed.name == "Okta (prod)" and renamed.enabled  # an update leaves "enabled" to Enable/Disable
    assert client.directory.disable_directory(new_org, created.id)[0].enabled is False
    client.directory.delete_directory(new_org, created.id)
    code, _ = refusal(lambda: client.directory.get_directory(new_org, created.id))
    assert code == grpc.StatusCode.NOT_FOUND


def test_ldap_directories_are_not_offered(client: ScalekitClient, new_org: str) -> None:
    code, message = refusal(
        lambda: client.directory.create_directory(
            new_org, dir_pb.CreateDirectory(directory_type=dir_pb.DirectoryType.Value("LDAP"))
        )
    )
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "only SCIM" in message
