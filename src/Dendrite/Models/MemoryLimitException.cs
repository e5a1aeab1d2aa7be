namespace Dendrite;

/// <summary>A network (or its training) would need more memory than allowed; the message names the largest layer and the bytes.</summary>
public sealed class MemoryLimitException(string message) : Exception(message);
