import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { GenerateDefaults, ModelInfo } from '../../../shared/dto'
import { invoke } from '../api/client'
import { useAsyncAction } from '../composables/useAsyncAction'

export const useModelsStore = defineStore('models', () => {
  const models = ref<ModelInfo[]>([])
  /** The core's default reconstruction and design parameters; null until loaded (or when unavailable). */
  const defaults = ref<GenerateDefaults | null>(null)
  const { error, run } = useAsyncAction()

  async function refresh() {
    await run(async () => {
      models.value = await invoke('models.list', {})
    })
  }

  async function loadDefaults(): Promise<GenerateDefaults | null> {
    if (!defaults.value) {
      // An older backend without models.defaults leaves the form's own defaults in place.
      try {
        defaults.value = await invoke('models.defaults', {})
      } catch {
        defaults.value = null
      }
    }
    return defaults.value
  }

  return { models, defaults, error, refresh, loadDefaults }
})
