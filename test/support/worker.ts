// Worker entry for tests: floe's tasks plus the test-only ones.

import { serveTasks } from "../../src/core/worker.ts";
import { taskRegistry } from "../../src/core/mr.ts";
import { TASKS } from "../../src/tasks.ts";
import { CrashTask, ExitTask, FailTask, IntSumTask, SlowTask, SumTask, WhoTask } from "./tasks.ts";

serveTasks(taskRegistry([...TASKS.values(), SumTask, FailTask, SlowTask, IntSumTask, WhoTask, CrashTask, ExitTask]));
