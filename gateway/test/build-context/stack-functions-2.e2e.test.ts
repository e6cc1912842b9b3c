import { describeStackFunctions } from "./e2e-support.js";

describeStackFunctions(1, 2);
