# h2o.init against a running floe, the cluster's status, then shutdown.
import os
from urllib.parse import urlparse

import h2o

url = urlparse(os.environ["FLOE_URL"])
h2o.init(ip=url.hostname, port=url.port)
cluster = h2o.cluster()
print("VERSION", cluster.version)
print("SIZE", cluster.cloud_size)
print("NODES", ",".join(n["ip_port"] for n in cluster.nodes))
h2o.cluster_status()
cluster.show_status(True)
assert cluster.is_running()
if os.environ.get("SHUTDOWN") == "1":
    cluster.shutdown()
print("OK")
