# h2o.save_model / h2o.load_model / h2o.upload_model against floe serve --data-root ROOT:
# the model MODEL (trained by the test through floe's own API) is saved under the root,
# deleted, loaded back and uploaded again; paths outside the root, a second save without
# force and a damaged file are refused with floe's message. Results are printed as JSON.
import json
import os
from urllib.parse import urlparse

import h2o
from h2o.exceptions import H2OResponseError, H2OServerError

url = urlparse(os.environ["FLOE_URL"])
h2o.init(ip=url.hostname, port=url.port)
root = os.environ["ROOT"]
model_id = os.environ["MODEL"]


def refusal(call):
    try:
        call()
    # A refusal by the data root is HTTP 403, which the client raises as H2OServerError (with floe's message).
    except (H2OResponseError, H2OServerError) as e:
        return str(e)
    return "accepted"


model = h2o.get_model(model_id)
logloss = model.logloss()
# save_model joins path and filename itself; a relative path resolves under the data root.
saved = h2o.save_model(model, path="models", filename="gbm_saved")
print("SAVED " + saved)
again = refusal(lambda: h2o.save_model(model, path="models", filename="gbm_saved"))
forced = h2o.save_model(model, path="models", filename="gbm_saved", force=True)
outside = refusal(lambda: h2o.save_model(model, path="..", filename="escaped"))
missing_dir = refusal(lambda: h2o.save_model(model, path="no/such/dir"))

h2o.api("DELETE /3/Models/%s" % model_id)
loaded = h2o.load_model(saved)
# The saved model's id is free again only once the original is gone; now it is taken, so an upload gets a fresh one.
uploaded = h2o.upload_model(os.path.join(root, saved))

with open(os.path.join(root, "models", "damaged"), "wb") as f:
    f.write(b"not a model file")
damaged = refusal(lambda: h2o.load_model("models/damaged"))
load_outside = refusal(lambda: h2o.load_model("../" + os.path.basename(root) + "_outside.floe"))

out = {
    "saved": saved,
    "forced": forced,
    "again": again,
    "outside": outside,
    "missing_dir": missing_dir,
    "loaded_id": loaded.model_id,
    "loaded_logloss": loaded.logloss(),
    "original_logloss": logloss,
    "uploaded_id": uploaded.model_id,
    "uploaded_logloss": uploaded.logloss(),
    "damaged": damaged,
    "load_outside": load_outside,
}
print("RESULT " + json.dumps(out))
