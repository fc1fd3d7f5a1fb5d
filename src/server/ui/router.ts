// Hash routes of the web UI (#/frames, #/frames/ID, #/models, #/models/ID, #/build,
// #/automl, #/automl/ID, #/jobs, #/cluster): parsing, links, and a hook that follows the
// current one.

import { useEffect, useState } from "preact/hooks";

export type Route =
  | { readonly page: "frames" }
  | { readonly page: "frame"; readonly id: string }
  | { readonly page: "models" }
  | { readonly page: "model"; readonly id: string }
  | { readonly page: "build"; readonly frame: string | null }
  | { readonly page: "automl" }
  | { readonly page: "automl-run"; readonly id: string }
  | { readonly page: "jobs" }
  | { readonly page: "cluster" };

/** The route of a location hash; anything unknown is the frames list. */
export function parseRoute(hash: string): Route {
  const [path, query = ""] = hash.replace(/^#\/?/, "").split("?");
  const [area, id] = path.split("/").map(decodeURIComponent);
  switch (area) {
    case "frames":
      return id ? { page: "frame", id } : { page: "frames" };
    case "models":
      return id ? { page: "model", id } : { page: "models" };
    case "build":
      return { page: "build", frame: new URLSearchParams(query).get("frame") };
    case "automl":
      return id ? { page: "automl-run", id } : { page: "automl" };
    case "jobs":
      return { page: "jobs" };
    case "cluster":
      return { page: "cluster" };
    default:
      return { page: "frames" };
  }
}

export const link = {
  frame: (id: string) => `#/frames/${encodeURIComponent(id)}`,
  model: (id: string) => `#/models/${encodeURIComponent(id)}`,
  build: (frame?: string) => (frame ? `#/build?frame=${encodeURIComponent(frame)}` : "#/build"),
  automl: (id?: string) => (id ? `#/automl/${encodeURIComponent(id)}` : "#/automl"),
};

/** The current route, updated on every hash change. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const follow = () => setRoute(parseRoute(location.hash));
    addEventListener("hashchange", follow);
    return () => removeEventListener("hashchange", follow);
  }, []);
  return route;
}
