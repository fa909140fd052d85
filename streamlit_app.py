"""Portal Desk: onboard enterprise customers onto SSO and SCIM through Scalekit's admin portal."""

from dashboard.ui.shell import draw_shell

draw_shell().run()
