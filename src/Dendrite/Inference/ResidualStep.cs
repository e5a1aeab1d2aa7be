using System.Numerics.Tensors;

namespace Dendrite.Inference;

/// <summary>y = act(f(x) + s(x)) for a residual block: the body's and the projection's own planned steps, the sum and the activation after the block.</summary>
internal sealed class ResidualStep(Residual block, PlanStep[] body, PlanStep[] projection, Activation? activation) : PlanStep
{
    private Tensor? _y;

    public override IEnumerable<PlanStep> Inner => body.Concat(projection);

    public override string Describe() =>
        $"residual({string.Join(", ", body.Select(s => s.Describe()))}{(projection.Length == 0 ? "" : $"; projection {string.Join(", ", projection.Select(s => s.Describe()))}")}){Epilogue.Name(activation)}";

    public override Tensor Run(Tensor x, Engine engine)
    {
        var f = InferencePlan.RunSteps(body, x, engine);
        var s = InferencePlan.RunSteps(projection, x, engine);
        var y = Tensor.Ensure(ref _y, x[0], block.OutputShape);
        // Plane by plane, so the activation reads the sum while it is in cache.
        int chunk = Math.Min(y.Length, 4096);
        for (int at = 0; at < y.Length; at += chunk)
        {
            int count = Math.Min(chunk, y.Length - at);
            var part = y.Span.Slice(at, count);
            TensorPrimitives.Add(f.Span.Slice(at, count), s.Span.Slice(at, count), part);
            Epilogue.Apply(activation, part);
        }
        return y;
    }
}
