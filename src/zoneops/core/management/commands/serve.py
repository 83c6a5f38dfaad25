import os
import shutil
import socket
import sys

from django.core.management.base import BaseCommand, CommandError


def check_free(bind: str) -> None:
    """Refuse early, with the way out, when the address is taken (another demo, a server)."""
    host, _, port = bind.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    try:
        number = int(port)
    except ValueError:
        raise CommandError(
            f"Write the address as host:port, e.g. 127.0.0.1:8010 (not {bind!r})."
        ) from None
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, number))
        except OSError:
            raise CommandError(
                f"Port {number} on {host} is already in use (another zoneops or another "
                f"program). Choose another port: make demo PORT=8010, or "
                f"zoneops serve --bind {host}:8010 (ZONEOPS_BIND={host}:8010)."
            ) from None


FALSE = ("0", "false", "no", "off")


def bind_host(bind: str) -> str:
    """The host of a gunicorn bind ("127.0.0.1:8000", "[::1]:8000", "unix:/run/x.sock")."""
    if bind.startswith("unix:"):
        return ""
    if bind.startswith("["):
        return bind[1 : bind.find("]")]
    return bind.rsplit(":", 1)[0] if ":" in bind else bind


def is_loopback(bind: str) -> bool:
    import ipaddress

    host = bind_host(bind)
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def https_env(env: dict, bind: str) -> dict:
    """The environment to serve with: HTTPS settings off by default on loopback only.

    On any other address they stay on (TLS is expected in front); ZONEOPS_HTTPS=0 there is
    refused, since cookies and logins would travel in clear over the network."""
    env = dict(env)
    if is_loopback(bind):
        env.setdefault("ZONEOPS_HTTPS", "0")
        return env
    if env.get("ZONEOPS_HTTPS", "1").strip().lower() in FALSE:
        raise CommandError(
            f"ZONEOPS_HTTPS=0 is for loopback only; {bind} is reachable from the network. "
            "Serve on 127.0.0.1 behind a TLS proxy, or leave ZONEOPS_HTTPS on."
        )
    env["ZONEOPS_HTTPS"] = env.get("ZONEOPS_HTTPS") or "1"
    return env


class Command(BaseCommand):
    help = "Serve zoneops with gunicorn on http://127.0.0.1:8000 (plain HTTP on loopback)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("ZONEOPS_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2"))
        )

    def handle(self, *args, bind, workers, **options):
        # Loopback serving has no TLS in front of it; any other address keeps HTTPS on.
        env = https_env(os.environ, bind)
        check_free(bind)
        env.setdefault("DJANGO_SETTINGS_MODULE", "zoneops.settings")
        gunicorn = shutil.which("gunicorn") or os.path.join(
            os.path.dirname(sys.executable), "gunicorn"
        )
        self.stdout.write(f"Serving on http://{bind}/  (Ctrl+C to stop)")
        sys.stdout.flush()
        os.execve(
            gunicorn,
            [
                gunicorn,
                "zoneops.wsgi:application",
                "--bind",
                bind,
                "--workers",
                str(workers),
                "--access-logfile",
                "-",
                "--timeout",
                "120",
            ],
            env,
        )
