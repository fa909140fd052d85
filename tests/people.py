"""The operators tests act as: one of each role, as DASHBOARD_OPERATOR or a sign-in would name them."""

from dashboard.models import Operator

ANA = Operator("ana@portal.test", "rep", "sign-in", "Ana Silva")
BEN = Operator("ben@portal.test", "rep", "sign-in", "Ben Okafor")
BO = Operator("bo@portal.test", "manager", "sign-in", "Bo Manager")
OMAR = Operator("omar@portal.test", "admin", "sign-in", "Omar Haddad")
VIV = Operator("viv@portal.test", "viewer", "sign-in", "Viv Viewer")
NOBODY = Operator(None)
