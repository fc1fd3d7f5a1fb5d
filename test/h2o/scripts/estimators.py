# The estimators of workflow 3 that test/h2o/scripts/models_train.py does not train: GBM with a
# validation frame and cross-validation, deep learning, k-means, PCA, naive Bayes, a
# cross-validated GLM and a stacked ensemble of the GBM and the GLM (its metalearner fetched by key); each one's accessors, printed as JSON (RESULT) for the test to
# compare with floe's own REST answers for the same models.
import json
import os
from urllib.parse import urlparse

import h2o
import h2o.exceptions
from h2o.estimators import (H2ODeepLearningEstimator, H2OGeneralizedLinearEstimator, H2OGradientBoostingEstimator,
                            H2OKMeansEstimator, H2ONaiveBayesEstimator, H2OPrincipalComponentAnalysisEstimator,
                            H2OStackedEnsembleEstimator)

url = urlparse(os.environ["FLOE_URL"])
h2o.init(ip=url.hostname, port=url.port)
df = h2o.import_file(os.environ["IRIS_PATH"])
df["species"] = df["species"].asfactor()
train, valid = df.split_frame(ratios=[0.75], seed=42)
x = df.columns[:-1]

gbm = H2OGradientBoostingEstimator(ntrees=20, max_depth=3, nfolds=3, seed=7, keep_cross_validation_predictions=True, model_id="h2o_gbm")
gbm.train(x=x, y="species", training_frame=train, validation_frame=valid)
glm = H2OGeneralizedLinearEstimator(family="multinomial", nfolds=3, seed=7, keep_cross_validation_predictions=True, model_id="h2o_glm")
glm.train(x=x, y="species", training_frame=train)
se = H2OStackedEnsembleEstimator(base_models=[gbm, glm], model_id="h2o_se")
se.train(x=x, y="species", training_frame=train)
dl = H2ODeepLearningEstimator(hidden=[10, 10], epochs=5, seed=7, model_id="h2o_dl")
dl.train(x=x, y="species", training_frame=train)
nb = H2ONaiveBayesEstimator(laplace=1, seed=7, model_id="h2o_nb")
nb.train(x=x, y="species", training_frame=train)
km = H2OKMeansEstimator(k=3, seed=7, standardize=True, model_id="h2o_km")
km.train(x=x, training_frame=df)
pca = H2OPrincipalComponentAnalysisEstimator(k=2, seed=7, transform="standardize", model_id="h2o_pca")
pca.train(x=x, training_frame=df)

try:
    H2OGradientBoostingEstimator(ntrees=2, fold_column="fold").train(x=x, y="species", training_frame=train)
    bad_column = "accepted"
except h2o.exceptions.H2OResponseError as e:
    bad_column = type(e).__name__ + ": " + str(e)
try:
    H2OGradientBoostingEstimator(ntrees=-3).train(x=x, y="species", training_frame=train)
    bad_value = "accepted"
except h2o.exceptions.H2OResponseError as e:
    bad_value = type(e).__name__ + ": " + str(e)

pred = gbm.predict(valid)
print(gbm.confusion_matrix(valid))
result = {
    "gbm": {"logloss": gbm.logloss(), "valid_logloss": gbm.logloss(valid=True), "xval_logloss": gbm.logloss(xval=True),
            "valid_mpce": gbm.mean_per_class_error(valid=True), "varimp": [v[0] for v in gbm.varimp()],
            "pred_rows": pred.nrow, "pred_cols": pred.columns, "valid_rows": valid.nrow,
            "history_rows": len(gbm.scoring_history(as_data_frame=False).cell_values)},
    "glm": {"logloss": glm.logloss(), "xval_logloss": glm.logloss(xval=True)},
    "se": {"logloss": se.logloss(), "metalearner": se.metalearner().model_id, "metalearner_algo": se.metalearner().algo},
    "dl": {"logloss": dl.logloss(), "rmse": dl.rmse()},
    "nb": {"logloss": nb.logloss()},
    "km": {"tot_withinss": km.tot_withinss(), "betweenss": km.betweenss(), "totss": km.totss()},
    "pca": {"model_id": pca.model_id},
    "errors": {"bad_column": bad_column, "bad_value": bad_value},
}
print("RESULT " + json.dumps(result))
