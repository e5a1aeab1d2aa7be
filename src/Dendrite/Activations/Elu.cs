using System.Runtime.Intrinsics;
using System.Numerics.Tensors;

namespace Dendrite;

/// <summary>Exponential linear unit: y = x if x > 0 else a (e^x - 1); dy/dx = 1 or y + a.</summary>
public sealed class Elu(float alpha = 1f) : Activation, ISpecLayer<Elu>
{
    /// <summary><c>elu[(alpha)]</c>.</summary>
    public static LayerSyntax Syntax { get; } = new("elu", "elu[(alpha)]", 1);

    /// <summary>Builds the layer from its spec item.</summary>
    public static Elu FromSpec(LayerSpec s) => new(s.Float(0, "alpha", 1f));

    /// <summary>The ONNX operators computing it.</summary>
    public override string ToOnnx(OnnxBuilder onnx, string x) => onnx.Add("Elu", [x], OnnxAttribute.Float("alpha", Alpha));

    /// <summary>a: the negative side saturates at -a; default 1.</summary>
    public float Alpha { get; } = alpha;

    /// <summary><c>elu</c>, or <c>elu(alpha)</c> when alpha is not 1.</summary>
    public override string Name => Alpha == 1f ? "elu" : FormattableString.Invariant($"elu({Alpha})");

    /// <inheritdoc/>
    public override void Apply(ReadOnlySpan<float> x, Span<float> y)
    {
        // In place (y may be x): each vector is read before it is written.
        int i = 0;
        var alpha = System.Runtime.Intrinsics.Vector256.Create(Alpha);
        for (; i <= x.Length - 8; i += 8)
        {
            var v = System.Runtime.Intrinsics.Vector256.Create(x.Slice(i, 8));
            var negative = alpha * (System.Runtime.Intrinsics.Vector256.Exp(v) - System.Runtime.Intrinsics.Vector256<float>.One);
            System.Runtime.Intrinsics.Vector256.ConditionalSelect(System.Runtime.Intrinsics.Vector256.GreaterThan(v, default), v, negative).CopyTo(y.Slice(i, 8));
        }
        for (; i < x.Length; i++)
        {
            float v = x[i];
            y[i] = v > 0f ? v : Alpha * (MathF.Exp(v) - 1f);
        }
    }

    // The negative side's derivative a e^x equals y + a, so backward needs no exp.
    /// <inheritdoc/>
    public override void Derive(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        for (int i = 0; i < x.Length; i++) dx[i] = x[i] > 0f ? dy[i] : (y[i] + Alpha) * dy[i];
    }
}
