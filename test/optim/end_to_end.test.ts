// End to end, exactly as a user would write it: a two-layer model with given weights, trained for
// fifteen steps with cross entropy by each optimizer, ends with PyTorch's parameters to 1e-9.
// Expected values from PyTorch 1.13 (float64), made by this script:
//
//   torch.set_default_dtype(torch.float64)
//   m = nn.Sequential(nn.Linear(4, 5), ACT, nn.Linear(5, 3))   # weights copied from W1, b1, W2, b2 below
//   opt = OPTIMIZER(m.parameters(), ...)
//   for _ in range(15):
//       opt.zero_grad(); loss = F.cross_entropy(m(x), y); loss.backward(); opt.step()
//   m.state_dict()
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { F, nn, optim, tensor } from '../../src/index.js';

const W1 = Array.from({ length: 5 }, (_, i) => Array.from({ length: 4 }, (_, j) => 0.1 * ((i * 5 + j) % 7) - 0.3));
const b1 = Array.from({ length: 5 }, (_, i) => 0.05 * i - 0.1);
const W2 = Array.from({ length: 3 }, (_, i) => Array.from({ length: 5 }, (_, j) => 0.2 * ((i * 3 + j) % 5) - 0.4));
const b2 = [0.1, -0.2, 0.05];
const X = [[0.5, -1.0, 2.0, 0.3], [1.5, 0.2, -0.7, -1.1], [-0.3, 0.8, 0.1, 0.9], [2.0, -0.5, -1.5, 0.4], [0.0, 1.0, 0.5, -0.5], [-1.2, -0.4, 0.6, 1.3]];
const Y = [0, 2, 1, 2, 0, 1];

const EXPECTED: Record<string, { losses: number[]; state: Record<string, number[]> }> = {
  Adam: {
    losses: [1.3044214820257716, 0.7813810451531836],
    state: {
      '0.weight': [-0.6070971780204205, 0.09713752632899156, -0.11277312630994568, 0.3088705824709241, 0.32196276200293344, -0.0060281766350295495, -0.5267810890145664, 0.05893190935489002, 0.271440951182707, -0.1946736533614924, 0.05270567438264319, 0.044895896123637966, 0.08792148708973169, -0.3824403376461118, -0.29933339782550944, -0.14753531678411164, 0.06116304864921619, -0.2076034598293103, 0.06695970240924032, 0.0952072518238401],
      '0.bias': [0.20872951573771975, 0.08380057506986728, -0.165987190614346, -0.06964470286061553, -0.12101280189092374],
      '2.weight': [-0.70796489008375, -0.5034479177876803, 0.21898417958768981, -0.10822745028697017, 0.16931280792083597, 0.5094109800086856, 0.10136727501370794, -0.24159250076286895, -0.05537746039377925, -0.24931053781044166, -0.5085350584595054, 0.3011388746474592, 0.030373075118111527, 0.33414997383866957, -0.1589082654617468],
      '2.bias': [-0.03182647401121994, -0.06601157843318592, -0.09305496663975654],
    },
  },
  SGD: {
    losses: [1.3772749063935974, 0.1482613294750155],
    state: {
      '0.weight': [-1.089498538283273, 0.013977192554347177, -0.3074638464382683, 0.9021611596395769, 0.35261051086574796, -0.041364958811271, -1.0071450972341462, 0.2782835222883477, 0.8440676020868645, -0.03528708682261056, -0.111815280469271, -0.3791859428666791, 0.7503762327782115, -0.293420921654274, -0.5394705099310587, -0.5966543414574356, 0.1680280319373764, -0.1469190569783047, 0.6330605245197706, -0.47032748659890766],
      '0.bias': [0.03075442229356259, -0.0947947711740638, -0.1194111919428496, -0.16522798499287986, 0.11137090558969898],
      '2.weight': [-0.651446407980591, -0.9206773967021951, 0.002351109735355673, -0.10412813108106757, 0.4435943482241617, 1.191308072233234, -0.07874945965191432, -0.48167380733605036, -0.36787823244444307, -0.6682010179266074, -0.9364426610464622, 1.1977173547510191, 0.2810321992037851, 0.8685873603193298, 0.22460666970244583],
      '2.bias': [-0.03998851627280798, 0.15782722582548525, -0.16741133415190454],
    },
  },
  AdamW: {
    losses: [1.3244281537646183, 0.5232057896619713],
    state: {
      '0.weight': [-0.7420337656262646, -0.05208466085860272, -0.13752873497853207, 0.4539704814630306, 0.448663538652177, -0.014983622163768405, -0.7367895533945596, -0.18636743323707064, 0.40592357226696946, -0.31030630175693, -0.16198679878351369, 0.009151833684583244, 0.2400210844572904, -0.30484386415778125, -0.4430782443662018, -0.20506006826973744, 0.009681618484537025, -0.7302441489199712, 0.1890794993021267, 0.16943281604916233],
      '0.bias': [0.3487569218530132, 0.0019295144298186358, -0.16643159044873693, -0.039512448569980874, -0.13330854878817086],
      '2.weight': [-0.8458243659508689, -0.637805946159985, -0.10109120611848108, -0.20284858703673928, 0.2526227837718021, 0.6544401199067413, -0.05942743149556688, -0.2920784843216464, -0.10983121523208562, -0.3846024518560345, -0.6502935768412074, 0.44784583253641436, 0.10324946673309239, 0.3991141026039301, -0.11345393389199046],
      '2.bias': [0.11550149934356334, -0.19023646006246228, -0.21928987364658467],
    },
  },
};

const setups = {
  Adam: { act: () => new nn.GELU(), opt: (p: nn.Module) => new optim.Adam(p.parameters(), { lr: 0.02, amsgrad: true }) },
  SGD: { act: () => new nn.Tanh(), opt: (p: nn.Module) => new optim.SGD(p.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-3 }) },
  AdamW: { act: () => new nn.ReLU(), opt: (p: nn.Module) => new optim.AdamW(p.parameters(), { lr: 0.03, weightDecay: 0.05 }) },
};

for (const [name, setup] of Object.entries(setups)) {
  test(`end to end: Sequential(Linear, ${name === 'Adam' ? 'GELU' : name === 'SGD' ? 'Tanh' : 'ReLU'}, Linear) + cross entropy + ${name}, 15 steps`, () => {
    const model = new nn.Sequential(new nn.Linear(4, 5, { dtype: 'float64' }), setup.act(), new nn.Linear(5, 3, { dtype: 'float64' }));
    const [fc1, fc2] = [model.at(0) as nn.Linear, model.at(2) as nn.Linear];
    fc1.weight.data = W1;
    fc1.bias!.data = b1;
    fc2.weight.data = W2;
    fc2.bias!.data = b2;
    const optimizer = setup.opt(model);
    const x = tensor(X, { dtype: 'float64' });
    const y = tensor(Y, { dtype: 'int64' });
    const losses: number[] = [];
    for (let step = 0; step < 15; step++) {
      optimizer.zeroGrad();
      const loss = F.crossEntropy(model.forward(x), y);
      loss.backward();
      optimizer.step();
      losses.push(loss.item());
    }
    const expected = EXPECTED[name];
    assert.ok(Math.abs(losses[0] - expected.losses[0]) < 1e-12);
    assert.ok(Math.abs(losses[14] - expected.losses[1]) < 1e-9);
    const state = model.stateDict();
    assert.deepEqual(Object.keys(state), Object.keys(expected.state));
    for (const [k, values] of Object.entries(expected.state)) {
      values.forEach((v, i) => {
        const got = state[k].data[i] as number;
        assert.ok(Math.abs(got - v) <= 1e-9 * Math.max(1, Math.abs(v)), `${k}[${i}]: ${got} != ${v}`);
      });
    }
    assert.ok(losses[14] < losses[0], 'training lowers the loss');
  });
}
