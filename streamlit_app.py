"""Portal Desk: onboard enterprise customers onto SSO and SCIM through Scalekit's admin portal."""

from dashboard.organizations import foreground
from dashboard.ui.shell import draw_shell

with foreground():  # background status rounds make way while a page draws
    draw_shell().run()
