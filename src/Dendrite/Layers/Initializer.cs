namespace Dendrite;

/// <summary>How a layer's weights start.</summary>
public enum Initializer
{
    /// <summary>He/Kaiming uniform, U(-sqrt(6 / fanIn), +sqrt(6 / fanIn)): keeps ReLU activations' variance.</summary>
    He,
    /// <summary>Xavier/Glorot uniform, U(-sqrt(6 / (fanIn + fanOut)), +...): for tanh, sigmoid and linear units.</summary>
    Xavier,
}
