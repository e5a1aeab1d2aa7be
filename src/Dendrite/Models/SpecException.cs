namespace Dendrite;

/// <summary>A layer spec that cannot be read; the message names the item and what is wrong.</summary>
public sealed class SpecException(string message) : Exception(message);
