import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { MeasurementInfo } from '../../../shared/dto'
import { invoke, onEvent } from '../api/client'
import { useAsyncAction } from '../composables/useAsyncAction'

/** Measurements (descriptor and property results, small JSON) of the volumes a view asked for. */
export const useMeasurementsStore = defineStore('measurements', () => {
  const byVolume = ref<Record<number, MeasurementInfo[]>>({})
  const { error, run } = useAsyncAction()

  async function load(volumeId: number) {
    await run(async () => {
      byVolume.value[volumeId] = await invoke('measurements.list', { volumeId })
    })
  }

  // A finished job reports its outputs as a 'volumes' change, measurements included.
  onEvent('project.changed', ({ what }) => {
    if (what === 'datasets' || what === 'models') return
    for (const id of Object.keys(byVolume.value)) void load(Number(id))
  })
  return { byVolume, error, load }
})
