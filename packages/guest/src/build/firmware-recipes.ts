import type { ClangRecipe } from './recipe.js';

export function firmwareRecipes(): ClangRecipe[] {
  return [];
}
