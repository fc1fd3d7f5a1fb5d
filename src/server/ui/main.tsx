// The web UI's entry (loaded by index.html, bundled by Bun): navigation, the token form
// shown after a 401, and the page of the current hash route.

import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { onUnauthorized, setToken, takeTokenFromUrl } from "./api.ts";
import { AutoMLPage, AutoMLRunPage } from "./pages/automl.tsx";
import { BuilderPage } from "./pages/builder.tsx";
import { ClusterPage } from "./pages/cluster.tsx";
import { FramePage } from "./pages/frame.tsx";
import { FramesPage } from "./pages/frames.tsx";
import { JobsPage } from "./pages/jobs.tsx";
import { ModelPage } from "./pages/model.tsx";
import { ModelsPage } from "./pages/models.tsx";
import { type Route, useRoute } from "./router.ts";

const NAV: readonly { href: string; label: string; pages: readonly Route["page"][] }[] = [
  { href: "#/frames", label: "Frames", pages: ["frames", "frame"] },
  { href: "#/models", label: "Models", pages: ["models", "model"] },
  { href: "#/build", label: "Build a model", pages: ["build"] },
  { href: "#/automl", label: "AutoML", pages: ["automl", "automl-run"] },
  { href: "#/jobs", label: "Jobs", pages: ["jobs"] },
  { href: "#/cluster", label: "Cluster", pages: ["cluster"] },
];

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case "frames":
      return <FramesPage />;
    case "frame":
      // Keyed by id: another frame's page starts with fresh forms.
      return <FramePage key={route.id} id={route.id} />;
    case "models":
      return <ModelsPage />;
    case "model":
      return <ModelPage key={route.id} id={route.id} />;
    case "build":
      return <BuilderPage frame={route.frame} />;
    case "automl":
      return <AutoMLPage />;
    case "automl-run":
      return <AutoMLRunPage key={route.id} id={route.id} />;
    case "jobs":
      return <JobsPage />;
    case "cluster":
      return <ClusterPage />;
  }
}

/** Asks for the server's access token (after a 401) and keeps it for this browser tab. */
function TokenForm() {
  const [token, setValue] = useState("");
  return (
    <form
      class="token"
      onSubmit={(e) => {
        e.preventDefault();
        setToken(token);
        location.reload();
      }}
    >
      <p role="alert">This server needs an access token.</p>
      <label for="token">Access token</label>
      <input id="token" type="password" autocomplete="off" value={token} onInput={(e) => setValue(e.currentTarget.value)} />
      <button type="submit">Use token</button>
    </form>
  );
}

function App() {
  const route = useRoute();
  const [needToken, setNeedToken] = useState(false);
  useEffect(() => onUnauthorized(() => setNeedToken(true)), []);
  // A new page: move focus to its heading so keyboard and screen-reader users start there.
  useEffect(() => document.querySelector<HTMLElement>("main h1")?.focus(), [route]);
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById("main")?.focus())}>
        Skip to content
      </a>
      <header>
        <span class="brand">floe</span>
        <nav aria-label="Main">
          <ul>
            {NAV.map((n) => (
              <li key={n.href}>
                <a href={n.href} aria-current={n.pages.includes(route.page) ? "page" : undefined}>
                  {n.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      {needToken && <TokenForm />}
      <main id="main" tabIndex={-1}>
        <Page route={route} />
      </main>
    </>
  );
}

takeTokenFromUrl();
const root = document.getElementById("app");
if (root) render(<App />, root);
