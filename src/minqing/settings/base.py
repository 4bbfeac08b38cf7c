"""Settings for every environment. The environment is read in one block, here, and nowhere else."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = PACKAGE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("MINQING_VAR_DIR", REPO_DIR / "var"))

# --- the environment, in one block -------------------------------------------------------------------
ENV = os.environ.get("MINQING_ENV", "development")  # development | test | production
DEBUG = os.environ.get("MINQING_DEBUG", "1" if ENV == "development" else "0") == "1"
SECRET_KEY = os.environ.get("MINQING_SECRET_KEY", "")
FIELD_KEY = os.environ.get("MINQING_FIELD_KEY", "")
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'minqing.sqlite3'}")
ALLOWED_HOSTS = [h for h in os.environ.get("MINQING_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
REDIS_URL = os.environ.get("REDIS_URL", "")
EMAIL_URL_HOST = os.environ.get("MINQING_EMAIL_HOST", "")
# SMS/WeChat gateway for notifications (signed JSON POST); without a URL, SMS wait in the outbox.
MINQING_SMS_WEBHOOK_URL = os.environ.get("MINQING_SMS_WEBHOOK_URL", "")
MINQING_SMS_WEBHOOK_SECRET = os.environ.get("MINQING_SMS_WEBHOOK_SECRET", "")
# Map tiles for the resident portal's report page, e.g. https://tiles.example.gov.cn/{z}/{x}/{y}.png (an
# intranet tile server); without it no map is shown and residents say where in words.
MINQING_TILE_URL = os.environ.get("MINQING_TILE_URL", "")
# The Open311 API key the demo issues to its communities (never in production).
MINQING_DEMO_OPEN311_KEY = os.environ.get("MINQING_DEMO_OPEN311_KEY", "")
TIME_ZONE = os.environ.get("MINQING_TIME_ZONE", "Asia/Shanghai")
DEMO_PASSWORD = os.environ.get("MINQING_DEMO_PASSWORD", "")  # demo_reset / seed_demo only
DEMO_PORT = os.environ.get("PORT", "8000")  # where `make demo` serves, for the printed address
# -----------------------------------------------------------------------------------------------------

if ENV == "production":
    missing = [
        name
        for name, value in (("MINQING_SECRET_KEY", SECRET_KEY), ("MINQING_FIELD_KEY", FIELD_KEY))
        if not value
    ]
    if missing:
        raise ImproperlyConfigured(f"Production refuses to start without {', '.join(missing)}.")
else:
    # Development keeps generated keys in a git-ignored file so the demo survives restarts.
    from minqing.core.keys import development_keys

    dev_keys = development_keys(VAR_DIR)
    SECRET_KEY = SECRET_KEY or dev_keys["secret_key"]
    FIELD_KEY = FIELD_KEY or dev_keys["field_key"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django.contrib.humanize",
    "template_partials",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "minqing.core",
    "minqing.accounts",
    "minqing.places",
    "minqing.organisations",
    "minqing.people",
    "minqing.registry_io",
    "minqing.directory",
    "minqing.cases",
    "minqing.notifications",
    "minqing.diary",
    "minqing.dashboards",
    "minqing.open311",
    "minqing.api",
    "minqing.portal",
    "minqing.hotline",
    "minqing.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "minqing.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "minqing.core.middleware.ApplicationErrorMiddleware",
]

ROOT_URLCONF = "minqing.urls"
WSGI_APPLICATION = "minqing.wsgi.application"
ASGI_APPLICATION = "minqing.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "minqing.core.context_processors.minqing",
                "minqing.notifications.context_processors.unread",
            ],
            "builtins": ["template_partials.templatetags.partials", "minqing.core.templatetags.minqing"],
        },
    }
]

DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock up front so two
        # writers queue instead of failing half-way through a transaction.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed-login throttle: this many failures for one username, or from one address, within the window.
LOGIN_FAILURE_LIMIT = 5
LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if ENV == "production":
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Working hours for deadlines (core.workcal): a morning and an afternoon span, local time.
WORKING_HOURS = [("08:30", "12:00"), ("13:30", "17:30")]

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # One error shape for every failure of an API view (ApplicationError, DRF's and Django's exceptions).
    "EXCEPTION_HANDLER": "minqing.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Minqing API",
    "VERSION": "0.1.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "DESCRIPTION": "Minqing's REST API: the registry, the directory, cases and the diary, scoped and masked "
    "exactly as the pages are for the same user. Authenticate with `Authorization: Token <key>` (a token "
    "from /api/token/) or a signed-in session. Every failure answers "
    '`{"error": {"code", "message", "fields"}}` in the language of Accept-Language.',
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "minqing.cases.models.Status",
        "CaseChannelEnum": "minqing.cases.models.Channel",
        "CaptureChannelEnum": "minqing.api.serializers.STAFF_CHANNEL_CHOICES",
        "ResidentStatusEnum": "minqing.people.models.ResidentStatus",
        "ExtensionStateEnum": "minqing.cases.models.Extension.State",
        "AreaKindEnum": "minqing.places.models.AreaKind",
        "OrganisationKindEnum": "minqing.organisations.models.OrganisationKind",
    },
}

EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_URL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = EMAIL_URL_HOST or "localhost"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# Messages from the people we serve: labels shown in the UI for the kinds of area.
MINQING_PRODUCT_NAME = _("Minqing")
