// Device selection: nvidia-smi bus ids to Mesa device-select strings, a GPU shared by several
// ranks, bad device lists refused.
import { describe, expect, it } from 'vitest';
import { driPrime, parseBusIds, planDevices } from '../../src/parallel/devices.js';

describe('device plan', () => {
  it('turns nvidia-smi bus ids into Mesa device-select strings and refuses bad lists', () => {
    expect(driPrime('00000000:00:06.0')).toBe('pci-0000_00_06_0!');
    expect(driPrime('00000000:1B:00.0')).toBe('pci-0000_1b_00_0!');
    expect(() => driPrime('GPU-0')).toThrow(/PCI bus id/);
    const bus = new Map([[0, '00000000:18:00.0'], [1, '00000000:2A:00.0']]);
    expect(planDevices([1, 0], bus).env.map((e) => e.DRI_PRIME)).toEqual(['pci-0000_2a_00_0!', 'pci-0000_18_00_0!']);
    expect(() => planDevices([0, 2], bus)).toThrow(/GPU 2 does not exist/);
    // one GPU for several ranks (the sharded path on a one-GPU machine): same selection, said in the note
    const three = planDevices([0, 0, 0], bus);
    expect(three.env).toEqual(Array(3).fill({ DRI_PRIME: 'pci-0000_18_00_0!', MESA_VK_DEVICE_SELECT_FORCE_DEFAULT_DEVICE: '1' }));
    expect(three.note).toMatch(/ranks 0, 1, 2 share GPU 0 \(a device each; their memory adds up on it\)$/);
    expect(planDevices([1, 0, 1], bus).note).toMatch(/; ranks 0, 2 share GPU 1 /);
    expect(planDevices([0, 1], bus).note).not.toMatch(/share/);
    expect(() => planDevices([0, -1], bus)).toThrow(/'-1' is not a device index/);
    expect(planDevices([0, 1, 2], null).env).toEqual([{}, {}, {}]);
    const smi = '0, 00000000:18:00.0\n1, 00000000:2A:00.0\n';
    expect(parseBusIds(smi)).toEqual(bus);
    expect(parseBusIds('')).toBe(null);
  });
});
