namespace Dendrite.Tests.KernelTests;

/// <summary>Tests that must not share the machine with other tests running at the same time (see GemmSteadyStateTests).</summary>
[CollectionDefinition(nameof(GemmSteadyStateTests), DisableParallelization = true)]
public class GemmSteadyStateCollection;
