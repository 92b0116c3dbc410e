"""Extension singletons, bound to the app in create_app().

They live apart from app.py so blueprints can import them (the limiter's
decorators, the login manager) without importing the factory.
"""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
