"""The contact blueprint: the "Contact us" form and the team's mail.

Other blueprints import nothing from it; its events go out as
signals.contact_received.

Public modules: none.
"""

from blueprints.contact.views import bp

__all__ = ["bp"]
