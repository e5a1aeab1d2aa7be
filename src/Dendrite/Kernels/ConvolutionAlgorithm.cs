namespace Dendrite.Kernels;

/// <summary>How a convolution's forward pass is computed (see <see cref="Conv2d"/>).</summary>
internal enum ConvolutionAlgorithm
{
    /// <summary>Lower the input to columns (<see cref="Im2Col"/>) and multiply by the weights with the GEMM: any geometry.</summary>
    Im2Col,

    /// <summary>Straight from the definition, vectorised over output columns (<see cref="DirectConvolution"/>).</summary>
    Direct,

    /// <summary>Winograd minimal filtering, stride-1 3x3 and 5x5 (<see cref="WinogradConvolution"/>).</summary>
    Winograd,
}
