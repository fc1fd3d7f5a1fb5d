// The models page: every model in the store, linked to its page and its training frame.

import { api } from "../api.ts";
import { DataTable, ErrorAlert, Loading, Title } from "../components.tsx";
import { time } from "../format.ts";
import { useAsync } from "../hooks.ts";
import { link } from "../router.ts";
import type { ModelSummary } from "../../../api/types.ts";

export function ModelsPage() {
  const models = useAsync(() => api<{ models: ModelSummary[] }>("GET", "/models"), []);
  return (
    <section>
      <Title>Models</Title>
      <p>
        <a class="button" href={link.build()}>
          Build a model
        </a>
      </p>
      <ErrorAlert error={models.error} />
      {!models.data && !models.error && <Loading what="models" />}
      {models.data &&
        (models.data.models.length === 0 ? (
          <p>No models yet.</p>
        ) : (
          <DataTable
            caption="Models in the store"
            rowHeaders
            head={["Model", "Algorithm", "Category", "Response", "Training frame", "Created"]}
            rows={models.data.models.map((m) => [
              <a href={link.model(m.model_id)}>{m.model_id}</a>,
              m.algo,
              m.category,
              m.response_column ?? "",
              m.training_frame ? <a href={link.frame(m.training_frame)}>{m.training_frame}</a> : "",
              time(m.created_at),
            ])}
          />
        ))}
    </section>
  );
}
