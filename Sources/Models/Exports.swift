// `import Models` gives the whole library: models, optimizers, data, the operators and the engine.
@_exported import Ops
