# h2o.connect to a floe server that has a token: the token as the basic-auth password works,
# a wrong one is refused.
import os
from urllib.parse import urlparse

import h2o

url = urlparse(os.environ["FLOE_URL"])
try:
    h2o.connect(ip=url.hostname, port=url.port, auth=("me", "not-the-token"), verbose=False)
    print("a wrong token connected")
except Exception as e:
    print("REFUSED", type(e).__name__)
h2o.connect(ip=url.hostname, port=url.port, auth=("me", os.environ["FLOE_TOKEN"]), verbose=False)
print("SIZE", h2o.cluster().cloud_size)
iris = h2o.import_file(os.environ["IRIS_PATH"])
assert iris.nrow == 150
print("OK")
