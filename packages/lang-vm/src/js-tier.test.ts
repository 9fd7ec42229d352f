import { describeEngineConformance } from './conformance.js';
import { Instance, Module } from './instance.js';

describeEngineConformance((bytes, imports, options) => new Instance(new Module(bytes), imports, { ...options, tier: 'js' }), 'js-tier');
