namespace Dendrite.Tests.Cli;

/// <summary>
/// Tests that swap Console.Out and Console.Error: process-wide state, so they run one at a time and after the
/// parallel tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "console state";
}
