import { describeStackFunctions } from "./e2e-support.js";

describeStackFunctions(0, 2);
