"""Settings follow DESIGN.md's run contract."""

from platform6.config import database_url, load


def test_plain_postgresql_urls_use_psycopg_3():
    assert database_url("postgresql://postgres@127.0.0.1/test", "/x") == "postgresql+psycopg://postgres@127.0.0.1/test"
    assert database_url("postgres://u@h/d", "/x") == "postgresql+psycopg://u@h/d"


def test_the_default_database_is_sqlite_in_the_instance_folder():
    assert database_url(None, "/srv/p6/instance") == "sqlite:////srv/p6/instance/platform6.db"


def test_a_secret_key_is_made_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = load(str(tmp_path), {})["SECRET_KEY"]
    assert len(first) >= 32
    assert load(str(tmp_path), {})["SECRET_KEY"] == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_environment_settings_win_over_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("SOCKETIO_MESSAGE_QUEUE", "redis://127.0.0.1:6379/0")
    settings = load(str(tmp_path), {})
    assert settings["SECRET_KEY"] == "from-env"
    assert settings["SOCKETIO_MESSAGE_QUEUE"] == "redis://127.0.0.1:6379/0"
    assert settings["SESSION_COOKIE_HTTPONLY"] is True and settings["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_passwords_are_hashed_with_full_strength_scrypt_outside_tests(tmp_path, monkeypatch):
    from werkzeug.security import generate_password_hash

    monkeypatch.setenv("SECRET_KEY", "x")
    method = load(str(tmp_path), {})["PASSWORD_HASH_METHOD"]
    assert generate_password_hash("secret", method=method).startswith("scrypt:32768:8:1$")
