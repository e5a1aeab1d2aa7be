namespace Dendrite;

/// <summary>The radial function phi(r) of an <see cref="Rbf"/> unit, r = ||x - c|| / width.</summary>
public enum RadialKernel
{
    /// <summary>exp(-r^2): local, peaks at the centre.</summary>
    Gaussian,
    /// <summary>sqrt(1 + r^2): grows with distance (Hardy's multiquadric).</summary>
    Multiquadric,
    /// <summary>1 / sqrt(1 + r^2): local, with heavier tails than the Gaussian. The spec calls it <c>inverse</c>.</summary>
    InverseMultiquadric,
}
