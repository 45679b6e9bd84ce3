// `import Ops` gives the whole engine as well.
@_exported import Autograd
