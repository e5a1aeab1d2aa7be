namespace Dendrite.Kernels;

/// <summary>
/// The filter transforms of a call spread over the engine's threads: U = G g Gᵀ by rows of U, and the adjoint
/// dw += Gᵀ dU G by filters. Every filter is computed whole by one thread, the same way whichever: the same bits.
/// At 128 x 128 filters each is about a third of a millisecond on one thread, and it ran while the others waited.
/// </summary>
internal sealed unsafe partial class WinogradConvolution
{
    // Below this many filters one thread does them: waking the pool would cost more than the work.
    private const int ParallelFilters = 2048;
    private readonly FilterJob _filterJob = new();

    private void TransformFilters(Engine engine, ReadOnlySpan<float> weight, bool rotate, Span<float> u)
    {
        if (engine.Threads == 1 || Filters * Channels < ParallelFilters)
        {
            WinogradFilters.Transform(weight, Filters, Channels, Kernel, rotate, u);
            return;
        }
        fixed (float* pw = weight, pu = u)
            _filterJob.Run(engine, this, pw, weight.Length, pu, u.Length, rotate ? FilterStep.Rotated : FilterStep.Forward, rotate ? Channels : Filters);
    }

    private void AdjointFilters(Engine engine, ReadOnlySpan<float> du, Span<float> dw)
    {
        if (engine.Threads == 1 || Filters * Channels < ParallelFilters)
        {
            WinogradFilters.Adjoint(du, Filters, Channels, Kernel, dw);
            return;
        }
        fixed (float* pdu = du, pdw = dw)
            _filterJob.Run(engine, this, pdu, du.Length, pdw, dw.Length, FilterStep.Adjoint, Filters * Channels);
    }

    private enum FilterStep { Forward, Rotated, Adjoint }

    /// <summary>One filter transform cut into ranges of rows (or filters); borrows pinned buffers for one call.</summary>
    private sealed class FilterJob : IParallelJob
    {
        private WinogradConvolution? _owner;
        private float* _in, _out;
        private int _inLength, _outLength, _count, _chunks;
        private FilterStep _step;

        public void Run(Engine engine, WinogradConvolution owner, float* input, int inLength, float* output, int outLength, FilterStep step, int count)
        {
            (_owner, _inLength, _outLength, _step, _count) = (owner, inLength, outLength, step, count);
            _in = input;
            _out = output;
            _chunks = Math.Min(count, 4 * engine.Threads);
            try { engine.Run(this, _chunks); }
            finally
            {
                _owner = null;
                _in = _out = null;
            }
        }

        public void Execute(int chunk)
        {
            var c = _owner!;
            int first = (int)((long)chunk * _count / _chunks), end = (int)((long)(chunk + 1) * _count / _chunks);
            var input = new ReadOnlySpan<float>(_in, _inLength);
            var output = new Span<float>(_out, _outLength);
            if (_step == FilterStep.Adjoint) WinogradFilters.Adjoint(input, c.Filters, c.Channels, c.Kernel, output, first, end);
            else WinogradFilters.Transform(input, c.Filters, c.Channels, c.Kernel, _step == FilterStep.Rotated, output, first, end);
        }
    }
}
