// Worker entry point of the local pool: serves every registered task.

import { serveTasks } from "./core/worker.ts";
import { TASKS } from "./tasks.ts";

serveTasks(TASKS);
