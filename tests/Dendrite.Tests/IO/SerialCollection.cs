namespace Dendrite.Tests.IO;

/// <summary>
/// Tests that swap the process-wide console or need the thread count (<see cref="Engine.Threads"/>) to stay
/// put between two runs they compare bit for bit: they run alone, after the parallel tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "serial";
}
