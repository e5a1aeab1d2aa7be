namespace Dendrite;

/// <summary>Two shapes that cannot work together; the message names both.</summary>
public sealed class ShapeException(string message) : Exception(message);
