"""The staff blueprint: sign-in, the dashboard, the editor, pages, menus, media,
moderation, the inbox.

Other blueprints import only its public modules: the command line (cli/users.py)
hashes passwords with its `passwords` module, and a reader's erasure (readers)
is written to the staff audit log through `audit`.

Public modules: passwords, audit.
"""

# Each module registers its views on bp when imported.
from blueprints.staff import accounts  # noqa: F401
from blueprints.staff import articles  # noqa: F401
from blueprints.staff import audit_log  # noqa: F401
from blueprints.staff import auth  # noqa: F401
from blueprints.staff import badges  # noqa: F401
from blueprints.staff import comment_edits  # noqa: F401
from blueprints.staff import dashboard  # noqa: F401
from blueprints.staff import editor_images  # noqa: F401
from blueprints.staff import editor_urls  # noqa: F401
from blueprints.staff import exports  # noqa: F401
from blueprints.staff import imports  # noqa: F401
from blueprints.staff import inbox  # noqa: F401
from blueprints.staff import mail_check  # noqa: F401
from blueprints.staff import media  # noqa: F401
from blueprints.staff import media_picker  # noqa: F401
from blueprints.staff import menus  # noqa: F401
from blueprints.staff import moderation  # noqa: F401
from blueprints.staff import pages  # noqa: F401
from blueprints.staff import password_recovery  # noqa: F401
from blueprints.staff import profiles  # noqa: F401
from blueprints.staff import reader_subscriptions  # noqa: F401
from blueprints.staff import redirects  # noqa: F401
from blueprints.staff import session_list  # noqa: F401
from blueprints.staff import settings  # noqa: F401
from blueprints.staff import two_factor  # noqa: F401
from blueprints.staff import two_factor_manage  # noqa: F401
from blueprints.staff import two_factor_reset  # noqa: F401
from blueprints.staff import two_factor_signin  # noqa: F401
from blueprints.staff.views import bp

__all__ = ["bp"]
