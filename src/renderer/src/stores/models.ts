import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { ModelInfo } from '../../../shared/dto'
import { invoke } from '../api/client'

export const useModelsStore = defineStore('models', () => {
  const models = ref<ModelInfo[]>([])
  const error = ref<string | null>(null)
  async function refresh() {
    try {
      models.value = await invoke('models.list', {})
      error.value = null
    } catch (e) {
      error.value = (e as Error).message
    }
  }
  return { models, error, refresh }
})
