import type { Command } from 'commander'
import { registerCompare } from './compare'
import { registerConvert } from './convert'
import { registerDescribe } from './describe'
import { registerDesign } from './design'
import { registerModels } from './models'
import { registerProperty } from './property'
import { registerReconstruct } from './reconstruct'
import { registerSynth } from './synth'
import { registerTrain } from './train'
import { registerValidate } from './validate'

/** The nine commands of DESIGN §7, in the order a user meets them. */
export function registerCommands(program: Command): void {
  registerSynth(program)
  registerDescribe(program)
  registerProperty(program)
  registerCompare(program)
  registerConvert(program)
  registerModels(program)
  registerReconstruct(program)
  registerDesign(program)
  registerTrain(program)
  registerValidate(program)
}
