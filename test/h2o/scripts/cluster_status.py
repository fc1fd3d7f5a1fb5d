# h2o.init against one member of a floe cluster: the cloud lists every member with H2O's
# node fields, and a file imported through it parses.
import os
from urllib.parse import urlparse

import h2o

url = urlparse(os.environ["FLOE_URL"])
h2o.init(ip=url.hostname, port=url.port)
cluster = h2o.cluster()
print("SIZE", cluster.cloud_size)
print("NODES", ",".join(sorted(n["ip_port"] for n in cluster.nodes)))
for node in cluster.nodes:
    for field in ["h2o", "healthy", "last_ping", "num_cpus", "sys_load", "free_mem", "max_mem", "pid", "num_keys"]:
        assert field in node, (field, node)
    assert node["healthy"] is True, node
h2o.cluster_status()
iris = h2o.import_file(os.environ["IRIS_PATH"])
assert (iris.nrow, iris.ncol) == (150, 5), (iris.nrow, iris.ncol)
print("OK")
