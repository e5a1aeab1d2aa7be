using ILGPU.Runtime;

namespace Dendrite.Gpu;

/// <summary>An elementwise activation: y = f(x), dx = f'(x) dy from x and the saved y (see <see cref="ElementwiseKernels"/>).</summary>
internal sealed class DeviceActivation(Activation host, (ActivationKind Kind, float A) kind, DeviceKernels k) : DeviceLayer(host, k)
{
    private readonly DeviceArray<float> _y = new(k.Accelerator), _dx = new(k.Accelerator);
    private DeviceTensor _x, _out;

    /// <summary>The kernel's number and parameter for a built-in activation; null for any other.</summary>
    public static (ActivationKind, float)? KindOf(Activation a) => a switch
    {
        ReLU => (ActivationKind.ReLU, 0f),
        LeakyReLU l => (ActivationKind.LeakyReLU, l.Slope),
        Elu e => (ActivationKind.Elu, e.Alpha),
        Sigmoid => (ActivationKind.Sigmoid, 0f),
        Tanh => (ActivationKind.Tanh, 0f),
        Gaussian => (ActivationKind.Gaussian, 0f),
        Linear => (ActivationKind.Linear, 0f),
        Step s => (s.StraightThrough ? ActivationKind.StepStraightThrough : ActivationKind.Step, 0f),
        _ => null,
    };

    public override DeviceTensor Forward(DeviceTensor x, bool training)
    {
        _x = x;
        _out = Batch(_y, x.N, Host.OutputShape);
        K.Activate(x.View.IntLength, x.View, _out.View, (int)kind.Kind, kind.A);
        return _out;
    }

    public override DeviceTensor Backward(DeviceTensor dy)
    {
        var dx = Batch(_dx, dy.N, Host.InputShape);
        K.Derive(dx.View.IntLength, _x.View, _out.View, dy.View, dx.View, (int)kind.Kind, kind.A);
        return dx;
    }
}

/// <summary>Softmax of each row of [N, K]; dx = y (dy - y·dy).</summary>
internal sealed class DeviceSoftmax(Layer host, DeviceKernels k) : DeviceLayer(host, k)
{
    private readonly DeviceArray<float> _y = new(k.Accelerator), _dx = new(k.Accelerator);
    private DeviceTensor _out;

    public override DeviceTensor Forward(DeviceTensor x, bool training)
    {
        _out = Batch(_y, x.N, Host.OutputShape);
        K.Softmax(x.N, x.View, _out.View, Host.OutputShape[0]);
        return _out;
    }

    public override DeviceTensor Backward(DeviceTensor dy)
    {
        var dx = Batch(_dx, dy.N, Host.InputShape);
        K.SoftmaxBackward(dy.N, _out.View, dy.View, dx.View, Host.OutputShape[0]);
        return dx;
    }
}

/// <summary>Flatten: the same values under another shape, forward and backward.</summary>
internal sealed class DeviceReshape(Layer host, DeviceKernels k) : DeviceLayer(host, k)
{
    private readonly BatchShape _output = new(), _input = new();

    public override DeviceTensor Forward(DeviceTensor x, bool training) => new(x.View, _output.Of(x.N, Host.OutputShape));

    public override DeviceTensor Backward(DeviceTensor dy) => new(dy.View, _input.Of(dy.N, Host.InputShape));
}

/// <summary>
/// Inverted dropout with a mask drawn on the device from a counter-based hash (so not the CPU's masks: the same
/// distribution, other draws); the identity outside training. A <see cref="Dropout.Frozen"/> layer keeps its mask.
/// </summary>
internal sealed class DeviceDropout(Dropout host, DeviceKernels k) : DeviceLayer(host, k)
{
    private readonly Dropout _host = host;
    private readonly DeviceArray<float> _y = new(k.Accelerator), _mask = new(k.Accelerator), _dx = new(k.Accelerator);
    private readonly ulong _seed = Fnv(host.Label); // the same masks in every run (string.GetHashCode changes per process)
    private ulong _draws;
    private long _maskLength = -1;
    private bool _masked;

    public override DeviceTensor Forward(DeviceTensor x, bool training)
    {
        _masked = training && _host.P > 0;
        if (!_masked) return x;
        var y = Batch(_y, x.N, Host.OutputShape);
        bool draw = !_host.Frozen || _maskLength != y.View.Length;
        if (draw) _draws++;
        _maskLength = y.View.Length;
        K.Dropout(y.View.IntLength, x.View, y.View, _mask.Ensure(y.View.Length), _host.P, _seed + _draws * 0xD1B54A32D192ED03UL, draw ? 1 : 0);
        return y;
    }

    private static ulong Fnv(string text)
    {
        ulong h = 0xCBF29CE484222325UL;
        foreach (char c in text) h = (h ^ c) * 0x100000001B3UL;
        return h;
    }

    public override DeviceTensor Backward(DeviceTensor dy)
    {
        if (!_masked) return dy;
        var dx = Batch(_dx, dy.N, Host.InputShape);
        K.Multiply(dx.View.IntLength, dy.View, _mask.Ensure(dy.View.Length), dx.View);
        return dx;
    }
}
