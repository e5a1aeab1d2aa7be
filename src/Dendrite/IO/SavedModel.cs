namespace Dendrite;

/// <summary>A network rebuilt from a model file, with what it was saved with.</summary>
public sealed record SavedModel(Sequential Net, ModelMetadata Metadata, SafeTensorsFile File);
