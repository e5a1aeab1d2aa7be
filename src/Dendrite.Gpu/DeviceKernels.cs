using ILGPU;
using ILGPU.Runtime;

namespace Dendrite.Gpu;

/// <summary>
/// Every kernel compiled once for one accelerator (ILGPU compiles C# to PTX for CUDA, or to IL for its CPU
/// accelerator), and the launches the device layers make. Kernels run in order on the accelerator's default stream,
/// so nothing waits until a result is copied down.
/// </summary>
internal sealed class DeviceKernels
{
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape> _tiled;
    private readonly Action<Index2D, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape> _registers;

    public DeviceKernels(Accelerator accelerator)
    {
        Accelerator = accelerator;
        TiledGemm = accelerator.AcceleratorType != AcceleratorType.CPU;
        var a = accelerator;
        _tiled = a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape>(GemmKernels.Tiled);
        _registers = a.LoadAutoGroupedStreamKernel<Index2D, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape>(GemmKernels.Registers);
        Im2Col = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, Window>(ConvolutionKernels.Im2Col);
        Col2Im = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, Window>(ConvolutionKernels.Col2Im);
        ToImages = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int>(ConvolutionKernels.ToImages);
        ToRows = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int, int>(ConvolutionKernels.ToRows);
        Activate = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, float>(ElementwiseKernels.Activate);
        Derive = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float>(ElementwiseKernels.Derive);
        Softmax = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(ElementwiseKernels.Softmax);
        SoftmaxBackward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(ElementwiseKernels.SoftmaxBackward);
        AddRowVector = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(ElementwiseKernels.AddRowVector);
        SumColumns = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(ElementwiseKernels.SumColumns);
        SumRows = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(ElementwiseKernels.SumRows);
        Add = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.Add);
        AddTo = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.AddTo);
        Place = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int, int>(ElementwiseKernels.Place);
        Take = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int, int>(ElementwiseKernels.Take);
        Dropout = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, ulong, int>(ElementwiseKernels.Dropout);
        Multiply = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.Multiply);
        MaxPool = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, Window>(PoolingKernels.Max);
        MaxPoolBackward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>>(PoolingKernels.MaxBackward);
        AvgPool = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, Window>(PoolingKernels.Average);
        AvgPoolBackward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, Window>(PoolingKernels.AverageBackward);
        GlobalPool = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(PoolingKernels.Global);
        GlobalPoolBackward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(PoolingKernels.GlobalBackward);
        PlaneSums = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, int>(NormalizationKernels.PlaneSums);
        Mean = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(NormalizationKernels.Mean);
        Statistics = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, float, float>(NormalizationKernels.Statistics);
        Running = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float>(NormalizationKernels.Running);
        Normalize = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(NormalizationKernels.Normalize);
        GradientSums = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int>(NormalizationKernels.GradientSums);
        GradientCoefficients = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, int>(NormalizationKernels.GradientCoefficients);
        InputGradient = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(NormalizationKernels.InputGradient);
        SoftmaxCrossEntropy = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float>(TrainingKernels.SoftmaxCrossEntropy);
        Update = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, UpdateRule>(TrainingKernels.Update);
    }

    public Accelerator Accelerator { get; }

    /// <summary>Whether GEMM uses the shared-memory kernel (GPUs) or the register one (the CPU accelerator).</summary>
    public bool TiledGemm { get; set; }

    public Action<Index1D, ArrayView<float>, ArrayView<float>, Window> Im2Col { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, Window> Col2Im { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int> ToImages { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, int, int, int> ToRows { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, int, float> Activate { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float> Derive { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, int> Softmax { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> SoftmaxBackward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, int> AddRowVector { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, int, int> SumColumns { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, int> SumRows { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> Add { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>> AddTo { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, int, int, int> Place { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, int, int, int> Take { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, ulong, int> Dropout { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> Multiply { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, Window> MaxPool { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>> MaxPoolBackward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, Window> AvgPool { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, Window> AvgPoolBackward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, int> GlobalPool { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, int> GlobalPoolBackward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, int> PlaneSums { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, int, int> Mean { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, float, float> Statistics { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float> Running { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> Normalize { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int> GradientSums { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, int> GradientCoefficients { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> InputGradient { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float> SoftmaxCrossEntropy { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, UpdateRule> Update { get; }

    /// <summary>C = alpha op(A) op(B) + beta C with the kernel <see cref="TiledGemm"/> selects.</summary>
    public void Gemm(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, GemmShape s)
    {
        if (s.M == 0 || s.N == 0) return;
        if (TiledGemm)
        {
            var groups = new Index2D((s.N + GemmKernels.Tile - 1) / GemmKernels.Tile, (s.M + GemmKernels.Tile - 1) / GemmKernels.Tile);
            _tiled(new KernelConfig(groups, new Index2D(GemmKernels.Threads, GemmKernels.Threads)), a, b, c, s);
        }
        else _registers(new Index2D((s.N + 3) / 4, (s.M + 3) / 4), a, b, c, s);
    }

    /// <summary>
    /// C [m, n] (row-major) = alpha op(A) op(B) + beta C for row-major A and B, as the core's Gemm.Multiply reads its
    /// arguments: A is [m, k], or [k, m] when transA; B is [k, n], or [n, k] when transB.
    /// </summary>
    public void Gemm(bool transA, bool transB, int m, int n, int k, float alpha, ArrayView<float> a, ArrayView<float> b, float beta, ArrayView<float> c) =>
        Gemm(a, b, c, new GemmShape(m, n, k, transA ? 1 : k, transA ? m : 1, transB ? 1 : n, transB ? k : 1, n, alpha, beta));
}
