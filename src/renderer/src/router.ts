import { createRouter, createWebHashHistory } from 'vue-router'
import ProjectsView from './views/ProjectsView.vue'

export const VIEWS = [
  { path: '/projects', name: 'Projects', component: ProjectsView },
  { path: '/datasets', name: 'Datasets', component: () => import('./views/DatasetsView.vue') },
  { path: '/models', name: 'Models', component: () => import('./views/ModelsView.vue') },
  { path: '/generate', name: 'Generate', component: () => import('./views/GenerateView.vue') },
  { path: '/jobs', name: 'Jobs', component: () => import('./views/JobsView.vue') },
  { path: '/results', name: 'Results', component: () => import('./views/ResultsView.vue') },
  { path: '/compare', name: 'Compare', component: () => import('./views/CompareView.vue') },
  { path: '/settings', name: 'Settings', component: () => import('./views/SettingsView.vue') },
] as const

export const router = createRouter({
  history: createWebHashHistory(),
  routes: [{ path: '/', redirect: '/projects' }, ...VIEWS],
})
