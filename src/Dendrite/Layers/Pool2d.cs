using Dendrite.Kernels;

namespace Dendrite;

/// <summary>
/// What max and average pooling share: a k x k window moved by a stride (default: k, so windows tile the map)
/// over each channel of [N, C, H, W], with optional padding of at most k/2 (so every window sees a pixel).
/// No parameters; the channel count is kept, H and W shrink.
/// </summary>
public abstract class Pool2d : Layer
{
    private Window2d _g;

    /// <summary>A pooling layer with a square window.</summary>
    /// <param name="name">The spec name, <c>maxpool</c> or <c>avgpool</c>.</param>
    /// <param name="kernel">Window side k, positive.</param>
    /// <param name="stride">Step of the window on both axes; 0 means k.</param>
    /// <param name="padding">Pixels added on every side, from 0 to k/2.</param>
    /// <exception cref="ArgumentOutOfRangeException">kernel is below 1, stride is negative, or padding is outside [0, k/2].</exception>
    protected Pool2d(string name, int kernel, int stride, int padding)
    {
        string spec = $"{name}({kernel})";
        Kernel = kernel > 0 ? kernel : throw new ArgumentOutOfRangeException(nameof(kernel), $"{spec}: kernel must be positive, got {kernel}");
        Stride = stride == 0 ? kernel : stride > 0 ? stride : throw new ArgumentOutOfRangeException(nameof(stride), $"{spec}: stride must be positive, got {stride}");
        Padding = padding >= 0 && padding <= kernel / 2 ? padding
            : throw new ArgumentOutOfRangeException(nameof(padding), $"{spec}: padding {padding} must be between 0 and half the kernel ({kernel / 2})");
        Name = name;
    }

    /// <summary>The spec name: maxpool or avgpool.</summary>
    public string Name { get; }

    /// <summary>Window side k (square windows only).</summary>
    public int Kernel { get; }

    /// <summary>Step of the window on both axes; equal to <see cref="Kernel"/> when 0 was given.</summary>
    public int Stride { get; }

    /// <summary>Pixels added on every side, at most k/2: max pooling never picks one, average pooling does not count them.</summary>
    public int Padding { get; }

    internal Window2d Window => _g;

    /// <summary><c>maxpool(k)</c> or <c>avgpool(k)</c>, adding stride and pad only where they differ from the defaults (k and 0).</summary>
    public override string Spec =>
        $"{Name}({Kernel}{(Stride == Kernel ? "" : $",stride={Stride}")}{(Padding == 0 ? "" : $",pad={Padding}")})";

    /// <summary>[C, H, W] -> [C, OH, OW].</summary>
    public override LayerShape Describe(int[] inputShape)
    {
        var g = WindowFor(inputShape);
        return new([inputShape[0], g.OutH, g.OutW]);
    }

    /// <inheritdoc/>
    protected override void OnBuild(int[] inputShape, Rng rng) => _g = WindowFor(inputShape);

    private Window2d WindowFor(int[] inputShape)
    {
        if (inputShape.Length != 3) throw Error($"input {Batch(inputShape)} is not an image [N, C, H, W]");
        int c = inputShape[0], h = inputShape[1], w = inputShape[2];
        var g = Window2d.Create(h, w, Kernel, Kernel, Stride, Padding, Padding, 1);
        if (g.OutH < 1 || g.OutW < 1)
            throw Error(h == 1 && w == 1
                ? $"cannot pool a 1x1 map (input [N, {c}, 1, 1])"
                : $"window {Kernel}x{Kernel} is larger than the padded input {h + g.PadH}x{w + g.PadW} (input [N, {c}, {h}, {w}])");
        return g;
    }

    /// <summary>Reads kernel, stride (default: kernel) and pad (at most half the kernel).</summary>
    protected static (int Kernel, int Stride, int Pad) Arguments(LayerSpec s)
    {
        int k = s.Int(0, "kernel"), stride = s.Int(1, "stride", k), pad = s.Int(2, "pad", 0, min: 0);
        if (pad > k / 2) throw s.Fail($"pad {pad} is more than half the kernel {k}");
        return (k, stride, pad);
    }

    /// <summary>ONNX pads: begin of each axis, then end ('same' may pad one more at the end).</summary>
    internal static OnnxAttribute OnnxPads(Window2d w) => OnnxAttribute.Ints("pads", w.PadTop, w.PadLeft, w.PadH - w.PadTop, w.PadW - w.PadLeft);

    /// <summary>The window's kernel_shape, strides and pads as ONNX attributes.</summary>
    protected OnnxAttribute[] OnnxWindow() =>
        [OnnxAttribute.Ints("kernel_shape", Kernel, Kernel), OnnxAttribute.Ints("strides", Stride, Stride), OnnxPads(_g)];

    /// <summary>Planes in a batch of n: N * C.</summary>
    protected int Planes(int n) => n * InputShape[0];
}
