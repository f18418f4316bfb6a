import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { MeasurementInfo } from '../../../shared/dto'
import { invoke, onEvent } from '../api/client'

/** Measurements (descriptor and property results, small JSON) of the volumes a view asked for. */
export const useMeasurementsStore = defineStore('measurements', () => {
  const byVolume = ref<Record<number, MeasurementInfo[]>>({})
  const error = ref<string | null>(null)

  async function load(volumeId: number) {
    try {
      byVolume.value[volumeId] = await invoke('measurements.list', { volumeId })
      error.value = null
    } catch (e) {
      error.value = (e as Error).message
    }
  }

  // A finished job reports its outputs as a 'volumes' change, measurements included.
  onEvent('project.changed', ({ what }) => {
    if (what === 'datasets' || what === 'models') return
    for (const id of Object.keys(byVolume.value)) void load(Number(id))
  })
  return { byVolume, error, load }
})
