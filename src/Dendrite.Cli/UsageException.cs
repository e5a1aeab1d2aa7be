namespace Dendrite.Cli;

/// <summary>A bad option value or a bad combination of options; the CLI prints it as one line and exits 2.</summary>
public sealed class UsageException(string message) : Exception(message);
