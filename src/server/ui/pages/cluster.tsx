// The cluster page: the cloud's name and health, and every node (dead ones too) with its
// state and H2O's fields.

import { api } from "../api.ts";
import { DataTable, ErrorAlert, Loading, Title } from "../components.tsx";
import { bytes, duration, num, time } from "../format.ts";
import { useAsync } from "../hooks.ts";
import type { ClusterStatus } from "../../../api/types.ts";

export function ClusterPage() {
  const { data, error, reload } = useAsync(() => api<ClusterStatus>("GET", "/cluster"), []);
  return (
    <section>
      <Title>Cluster</Title>
      <ErrorAlert error={error} />
      {!data && !error && <Loading what="cluster status" />}
      {data && (
        <>
          <p>
            <strong>{data.cluster_name}</strong>, floe {data.version}: {data.cloud_size} node{data.cloud_size === 1 ? "" : "s"}, {data.cloud_healthy ? "healthy" : "NOT healthy"}.{" "}
            <button onClick={reload}>Refresh</button>
          </p>
          <DataTable
            caption="Nodes"
            rowHeaders
            head={["Name", "Address", "State", "Last ping", "CPUs", "System load", "Free memory", "Max memory", "Keys", "PID", "Version", "Uptime"]}
            rows={data.nodes.map((n) => [
              n.name,
              n.ip_port,
              n.state,
              time(n.last_ping),
              n.num_cpus,
              num(n.sys_load),
              bytes(n.free_mem),
              bytes(n.max_mem),
              n.num_keys,
              n.pid,
              n.version,
              duration(n.uptime_ms),
            ])}
          />
        </>
      )}
    </section>
  );
}
