"""nginx configurations for the benchmark: the origin and the reference reverse proxy.

Both run from a temporary prefix as the current user, never touching the system nginx configuration.
"""
import getpass
import os

ORIGIN_FILES = {"100b": 100, "16k": 16 * 1024}


def _common(prefix, name, worker_connections):
    user = ""
    if os.geteuid() == 0:
        # As root, nginx would switch its workers to 'nobody' (who cannot read the temp dir): stay root.
        user = f"user {getpass.getuser()};\n"
    tmp = os.path.join(prefix, f"{name}-tmp")
    os.makedirs(tmp, exist_ok=True)
    return f"""{user}worker_processes 1;
pid {prefix}/{name}.pid;
error_log {prefix}/{name}-error.log warn;
events {{ worker_connections {worker_connections}; multi_accept on; }}
""", f"""
  client_body_temp_path {tmp}/body;
  proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi;
  scgi_temp_path {tmp}/scgi;
"""


def write_origin(prefix, port, www):
    """A fast origin: static 100-byte, 16 KiB and 1 GiB bodies, keep-alive without a request limit."""
    head, temps = _common(prefix, "origin", 8192)
    conf = head + f"""http {{
  access_log off;
  default_type application/octet-stream;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_requests 100000000;
  keepalive_timeout 300s;
  open_file_cache max=16;
  open_file_cache_valid 600s;
  etag off;
{temps}
  server {{
    listen 127.0.0.1:{port} backlog=4096;
    root {www};
  }}
}}
"""
    path = os.path.join(prefix, "origin.conf")
    with open(path, "w") as f:
        f.write(conf)
    return path


def write_reference_proxy(prefix, port, origin_port, access_log=False, name="refproxy", h2_port=None):
    """nginx as the reference reverse proxy: one worker, HTTP/1.1 with keep-alive to the origin.

    It does the same per-request header work as batcycle (Host kept, X-Forwarded-*, a request id sent to the
    app and returned to the client) so the comparison is between two proxies doing one job. With h2_port, the
    same server also listens there for HTTP/2 with prior knowledge (h2c, what batcycle takes on its one port).
    """
    head, temps = _common(prefix, name, 8192)
    # h2load -m 50 opens 50 streams per connection; nginx's default cap is 128.
    h2_listen = f"\n    listen 127.0.0.1:{h2_port} http2 backlog=4096;" if h2_port else ""
    log = (f"access_log {prefix}/{name}-access.log combined buffer=64k flush=1s;" if access_log
           else "access_log off;")
    conf = head + f"""http {{
  {log}
  tcp_nodelay on;
  keepalive_requests 100000000;
  keepalive_timeout 300s;
{temps}
  upstream origin {{
    server 127.0.0.1:{origin_port};
    keepalive 64;
    keepalive_requests 100000000;
    keepalive_timeout 300s;
  }}
  server {{
    listen 127.0.0.1:{port} backlog=4096;{h2_listen}
    location / {{
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Request-Id $request_id;
      add_header X-Request-Id $request_id always;
      # Stream large bodies instead of spooling them to temp files (what a sidecar must do).
      proxy_max_temp_file_size 0;
    }}
  }}
}}
"""
    path = os.path.join(prefix, f"{name}.conf")
    with open(path, "w") as f:
        f.write(conf)
    return path
