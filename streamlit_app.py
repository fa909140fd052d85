"""Portal Desk: onboard enterprise customers onto SSO and SCIM through Scalekit's admin portal."""

from dashboard.ui.feedback import report_unexpected, show_unexpected
from dashboard.ui.shell import draw_shell

try:
    draw_shell().run()
except Exception:  # the last resort: a sentence and a reference, the traceback in the server log only
    show_unexpected(report_unexpected("A page failed"))
