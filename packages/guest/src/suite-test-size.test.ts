import { describePeerSuite } from './test-support/suite-check.js';

describePeerSuite('test', 30_000);
